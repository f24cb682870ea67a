"""Developer tooling: sample lists, the local AWS emulator pipeline, benchmarks. Never deployed."""
