from core.plugins import hookspec


@hookspec
def favourite_colour(customer_id):
    """Return a colour name for the customer."""
