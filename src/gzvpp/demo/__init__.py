"""``gzvpp demo``: a summer of Guangzhou's virtual power plant, end to end, through the service."""
