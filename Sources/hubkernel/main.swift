import HubMagics
print("hubkernel: not yet")
