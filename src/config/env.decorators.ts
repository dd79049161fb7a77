import 'reflect-metadata';

/** Documentation attached to one environment variable; drives `.env.example` and the README table. */
export interface EnvVarDoc {
  group: string;
  description: string;
  /** Masked wherever configuration is displayed (logs, /version, admin UI). */
  sensitive?: boolean;
}

const ENV_DOCS = Symbol('env-docs');

export function EnvDoc(doc: EnvVarDoc): PropertyDecorator {
  return (target, key) => {
    const docs: Map<string, EnvVarDoc> = Reflect.getMetadata(ENV_DOCS, target) ?? new Map();
    docs.set(String(key), doc);
    Reflect.defineMetadata(ENV_DOCS, docs, target);
  };
}

export function envDocs(target: object): Map<string, EnvVarDoc> {
  return Reflect.getMetadata(ENV_DOCS, target) ?? new Map();
}
