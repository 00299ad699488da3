"""Statistics for the city (第六条) and the monthly report."""
