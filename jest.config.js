/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  moduleNameMapper: {
    '^rfbcast$': '<rootDir>/src/index.ts',
    '^rfbcast/testing$': '<rootDir>/src/testing.ts',
    '^rfbcast/wire$': '<rootDir>/src/wire/index.ts',
  },
  setupFiles: ['reflect-metadata', '<rootDir>/test/setup-env.ts'],
  testTimeout: 60000,
};
