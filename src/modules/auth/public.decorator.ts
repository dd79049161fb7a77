import { SetMetadata } from '@nestjs/common';
import type { AppConfig } from '../../config/app-config';

export const IS_PUBLIC = 'auth:public';

/** Whether a route is public: always, or as the configuration says (e.g. METRICS_PUBLIC). */
export type PublicWhen = true | ((config: AppConfig) => boolean);

/**
 * Opts a route (or controller) out of authentication, always or when `when(config)` holds. Everything else
 * requires credentials.
 */
export const Public = (when: PublicWhen = true): MethodDecorator & ClassDecorator => SetMetadata(IS_PUBLIC, when);
