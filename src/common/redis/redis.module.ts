import { Global, Module } from '@nestjs/common';
import { ClusterRelay } from './cluster-relay.service';
import { RedisService } from './redis.service';

/** The shared Redis connection (RedisService) and pub/sub between replicas over it (ClusterRelay), for every module. */
@Global()
@Module({ providers: [RedisService, ClusterRelay], exports: [RedisService, ClusterRelay] })
export class RedisModule {}
