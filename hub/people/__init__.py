"""Pillar 1, people: senior masters (シニア・マイスター) paired with juniors for on-the-job skill transfer."""
