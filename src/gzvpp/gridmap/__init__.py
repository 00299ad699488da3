"""电网单线图: the substations and feeders of the enrolled accounts, with the capability
enrolled at each and the latest evaluated response there."""
