"""The marketing pages, one module per area, all on the Blueprint of plugins.marketing.views."""
