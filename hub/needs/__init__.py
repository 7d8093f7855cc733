"""Needs posted by startups, designers, students, researchers and factories."""
