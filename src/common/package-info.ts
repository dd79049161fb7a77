import pkg from '../../package.json';

/** Name and version of this build, from package.json. */
export const PACKAGE = { name: pkg.name, version: pkg.version, description: pkg.description } as const;
