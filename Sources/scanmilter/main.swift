// Placeholder until the daemon lands.
print("scanmilter: not built yet")
