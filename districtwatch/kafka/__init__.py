"""Every Kafka and broker concern; the only place that imports aiokafka."""
