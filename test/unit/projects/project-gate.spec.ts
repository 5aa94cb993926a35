import { Controller, Get } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { Test, TestingModule } from '@nestjs/testing';
import { Authenticated } from '../../../src/infra/http/access';
import { ProjectAccessService } from '../../../src/modules/projects/project-access.service';
import { ProjectGateCheck, ProjectGated } from '../../../src/modules/projects/project-gate';

@Controller('api/v1')
@Authenticated()
@ProjectGated()
class GatedController {
  @Get('projects/:projectId/things')
  things(): string {
    return 'ok';
  }

  @Get('elsewhere')
  elsewhere(): string {
    return 'ok';
  }
}

@Controller('reports')
@Authenticated()
class ForgetfulController {
  @Get('projects/:projectId/summary')
  summary(): string {
    return 'ok';
  }
}

/** A module with these controllers and the check; the gate's own dependency is a stand-in (the check never calls it). */
async function boot(controllers: (new () => object)[]): Promise<{ app: TestingModule; check: ProjectGateCheck }> {
  const app = await Test.createTestingModule({ imports: [DiscoveryModule], controllers, providers: [ProjectGateCheck, { provide: ProjectAccessService, useValue: {} }] }).compile();
  return { app, check: app.get(ProjectGateCheck) };
}

describe('the project gate boot check', () => {
  it('lists every :projectId route of gated controllers, with its full path', async () => {
    const { app, check } = await boot([GatedController]);
    await app.init();
    expect(check.routes).toEqual([{ method: 'GET', path: '/api/v1/projects/:projectId/things', controller: 'GatedController', handler: 'things' }]);
    await app.close();
  });

  it('refuses to boot when any controller, in any module, serves a :projectId route without the gate', async () => {
    const { app } = await boot([GatedController, ForgetfulController]);
    await expect(app.init()).rejects.toThrow(/ForgetfulController\.summary \(GET \/reports\/projects\/:projectId\/summary\)/);
    await app.close().catch(() => undefined);
  });
});
