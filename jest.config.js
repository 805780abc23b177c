// swc instead of ts-jest: Jest on Node 20 cannot require() the ESM-only NestJS 12 packages,
// so they (and the ESM-only cookie, file-type and content-disposition they pull in, and jose 6) are transformed to CommonJS.
const swc = ['@swc/jest', {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true },
    target: 'es2022',
  },
  module: { type: 'commonjs' },
}];
const common = {
  testEnvironment: 'node',
  transform: { '^.+\\.(t|j|mj)s$': swc },
  transformIgnorePatterns: ['^(?!.*/node_modules/(@nestjs|cookie|file-type|content-disposition|jose)/).*/node_modules/'],
  moduleNameMapper: { '^@app/([a-z-]+)$': '<rootDir>/libs/$1/src', '^@app/([a-z-]+)/(.*)$': '<rootDir>/libs/$1/src/$2' },
};
module.exports = {
  // Per-test time limit for every project (e2e suites start services and child processes).
  testTimeout: 60000,
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/{apps,libs}/**/*.spec.ts'] },
    { ...common, displayName: 'integration', testMatch: ['<rootDir>/{apps,libs}/**/*.int-spec.ts'] },
    { ...common, displayName: 'e2e', testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'] },
  ],
};
