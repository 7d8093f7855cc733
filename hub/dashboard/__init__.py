"""Organisers' view of the programme: indicators against targets, and which processes the cluster may lose."""
