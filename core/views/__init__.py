"""The core's pages, one blueprint per area; views stay thin and call the service modules."""
