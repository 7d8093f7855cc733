"""The framework's ceiling for ``make bench-load``: a hello-world Flask app, served by the same gunicorn settings."""

from flask import Flask

app = Flask(__name__)


@app.route("/")
def hello() -> str:
    """Plain text, no template, no database."""
    return "Hello, World!"
