import { Injectable, OnApplicationBootstrap, RequestMethod } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { ACCESS_POLICY } from '../../../infra/http/access';

/** Refuses to boot when any route handler (or its controller) declares no access policy. */
@Injectable()
export class AccessPolicyCheck implements OnApplicationBootstrap {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
  ) {}

  onApplicationBootstrap(): void {
    const missing: string[] = [];
    for (const wrapper of this.discovery.getControllers()) {
      const instance = wrapper.instance as Record<string, unknown> | undefined;
      if (!instance || !wrapper.metatype) continue;
      const prototype = Object.getPrototypeOf(instance) as object;
      for (const name of this.scanner.getAllMethodNames(prototype)) {
        const handler = (prototype as Record<string, unknown>)[name] as (...args: unknown[]) => unknown;
        if (this.reflector.get(PATH_METADATA, handler) === undefined) continue;
        const policy = this.reflector.getAllAndOverride<unknown>(ACCESS_POLICY, [handler, wrapper.metatype as (...args: unknown[]) => unknown]);
        if (!policy) {
          const method = (RequestMethod[this.reflector.get<RequestMethod>(METHOD_METADATA, handler)] as string | undefined) ?? '?';
          missing.push(`${wrapper.name}.${name} (${method})`);
        }
      }
    }
    if (missing.length) throw new Error(`routes without an access policy (@Public, @Authenticated or @Roles): ${missing.join(', ')}`);
  }
}
