// The entry points of the fuzz executables; see FuzzDriver.c.
