"""The harness the project ships: record factories, a worker as a child process."""
