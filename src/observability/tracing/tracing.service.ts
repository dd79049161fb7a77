import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { type Attributes, context as otelContext, type Span, SpanKind, SpanStatusCode, type Tracer, trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import { PACKAGE } from '../../common/package-info';
import { AppConfig } from '../../config/app-config';

/**
 * Optional OpenTelemetry tracing (OTEL_ENABLE_OBSERVABILITY): spans for tool calls, resource reads and prompt
 * renders, exported in batches over OTLP/HTTP. The provider belongs to this application (not registered globally),
 * so nothing is traced, and nothing costs, while tracing is off.
 */
@Injectable()
export class Tracing implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Tracing');
  private provider?: NodeTracerProvider;
  private tracer?: Tracer;

  constructor(private readonly config: AppConfig) {}

  onModuleInit(): void {
    const { enabled, endpoint, headers, serviceName } = this.config.tracing;
    if (!enabled) return;
    const exporter = new OTLPTraceExporter({ url: `${endpoint}/v1/traces`, headers });
    this.provider = new NodeTracerProvider({
      resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: serviceName, [ATTR_SERVICE_VERSION]: PACKAGE.version }),
      spanProcessors: [new BatchSpanProcessor(exporter, { scheduledDelayMillis: 1000 })],
    });
    this.tracer = this.provider.getTracer(PACKAGE.name, PACKAGE.version);
    this.logger.log(`exporting traces to ${endpoint}/v1/traces`);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.provider?.shutdown().catch((err: Error) => this.logger.warn(`flushing traces: ${err.message}`));
  }

  get enabled(): boolean {
    return this.tracer !== undefined;
  }

  /** Runs `fn` inside a span (when tracing is on); the span ends when `fn` settles, recording a thrown error. */
  async inSpan<T>(name: string, attributes: Attributes, fn: (span?: Span) => Promise<T>): Promise<T> {
    if (!this.tracer) return fn();
    const span = this.tracer.startSpan(name, { kind: SpanKind.SERVER, attributes });
    try {
      return await otelContext.with(trace.setSpan(otelContext.active(), span), () => fn(span));
    } catch (err) {
      span.recordException(err as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message });
      throw err;
    } finally {
      span.end();
    }
  }

  /** Marks the span failed without an exception (an `isError` tool result). */
  static fail(span: Span | undefined, message: string): void {
    span?.setStatus({ code: SpanStatusCode.ERROR, message });
  }
}
