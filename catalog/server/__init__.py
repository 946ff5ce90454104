"""``schemacat serve``: the REST API of Confluent Schema Registry over the catalog, so that
every Kafka serializer can use schemacat as its registry (interface.md, section 6)."""
