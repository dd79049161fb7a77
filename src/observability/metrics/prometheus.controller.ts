import { Controller, Get, Res, ServiceUnavailableException } from '@nestjs/common';
import { SkipThrottle } from '@nestjs/throttler';
import { PrometheusController } from '@willsoto/nestjs-prometheus';
import type { Response } from 'express';
import { AppConfig } from '../../config/app-config';
import { Public } from '../../modules/auth/public.decorator';

export const METRICS_PATH = 'metrics';

/**
 * The Prometheus scrape endpoint (`/metrics`) and the reference gateway's
 * `/metrics/prometheus` alias. Public only with METRICS_PUBLIC=true; never rate-limited (scrapers poll).
 */
@Controller(METRICS_PATH)
@Public((config) => config.metrics.public)
@SkipThrottle()
export class PrometheusScrapeController extends PrometheusController {
  constructor(private readonly config: AppConfig) {
    super();
  }

  @Get()
  override async index(@Res({ passthrough: true }) response: Response): Promise<string> {
    this.assertEnabled();
    return super.index(response);
  }

  @Get('prometheus')
  async alias(@Res({ passthrough: true }) response: Response): Promise<string> {
    return this.index(response);
  }

  private assertEnabled(): void {
    if (!this.config.metrics.enabled) throw new ServiceUnavailableException('Metrics are disabled (ENABLE_METRICS=false)');
  }
}
