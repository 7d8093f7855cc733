"""From match to deal: inquiries, a shared workspace per deal, outcomes, ratings, notifications, abuse controls."""
