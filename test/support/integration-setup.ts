// Real brokers and databases are slower than mocks: one generous bound for every integration test.
jest.setTimeout(60_000);
