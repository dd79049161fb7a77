process.env.TEST_DB_DIALECT = 'mysql';
