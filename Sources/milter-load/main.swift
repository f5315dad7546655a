// Placeholder until the performance issue lands.
print("milter-load: not built yet")
