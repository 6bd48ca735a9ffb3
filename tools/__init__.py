"""Developer tools of the loyalty-points API that are not deployed with it."""
