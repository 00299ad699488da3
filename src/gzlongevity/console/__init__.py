"""The system's console (Chinese, desk and phone): the street's worklist, the district's run
approval and recovery orders, the city's dashboard, and the elder's confirmation."""
