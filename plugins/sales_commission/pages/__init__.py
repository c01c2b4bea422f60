"""The sales_commission plugin's view functions, one module per page family (views.py maps the URLs)."""
