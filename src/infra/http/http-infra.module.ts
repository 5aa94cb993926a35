import { Global, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { ViewRenderer } from '../views/view-renderer';
import { AllExceptionsFilter } from './exception.filter';
import { LeanRoutes } from './lean-routes';
import { NavRegistry } from './nav';
import { WebContext } from './web-context';
import { WebForm } from './web-form';
import { WebPages } from './web-pages';

@Global()
@Module({
  providers: [ViewRenderer, NavRegistry, LeanRoutes, WebContext, WebPages, WebForm, AllExceptionsFilter, { provide: APP_FILTER, useExisting: AllExceptionsFilter }],
  exports: [ViewRenderer, NavRegistry, LeanRoutes, WebContext, WebPages, WebForm, AllExceptionsFilter],
})
export class HttpInfraModule {}
