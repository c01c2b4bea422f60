"""The example plugin's view functions (views.py maps their URLs)."""
