import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Controller, Get, Module, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { ApiBearerAuth, ApiConflictResponse, ApiOperation, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { Public } from '../auth/decorators';
import { IdParam, MAX_ID, UuidParam } from '../validation/id.pipe';
import { BEARER_SCHEME, completeDocument, documentFrame } from './openapi-document';

// As the payment controller was: the class asks for a token, one operation is public all the same.
@ApiBearerAuth()
@Controller('v1/things')
class ThingsController {
  @Post('pay')
  @Public()
  @ApiOperation({ summary: 'Public despite the class' })
  @ApiConflictResponse({ description: 'TAKEN', content: { 'application/json': { examples: { TAKEN: { value: { statusCode: 409, error: 'TAKEN' } } } } } })
  pay(): void {}

  @Get(':id')
  @ApiOperation({ summary: 'Needs a token' })
  get(@IdParam() id: number): number {
    return id;
  }

  @Get('orders/:id')
  @ApiOperation({ summary: 'Needs a token too' })
  order(@UuidParam() id: string): string {
    return id;
  }
}

@Public()
@Controller('open')
class OpenController {
  @Get()
  @ApiOperation({ summary: 'Public by its class' })
  read(): void {}
}

@Module({ controllers: [ThingsController, OpenController] })
class ThingsModule {}

describe('the OpenAPI document of a service', () => {
  let app: NestFastifyApplication;
  let doc: OpenAPIObject;
  before(async () => {
    app = await NestFactory.create<NestFastifyApplication>(ThingsModule, new FastifyAdapter(), { logger: false });
    doc = completeDocument(SwaggerModule.createDocument(app, documentFrame({ title: 'Things', description: 'For the test' }, '1.2.3')));
  });
  after(() => app?.close());

  it('@Public() operations need no token (security: []), whatever the class says; every other one needs the bearer token', () => {
    assert.deepEqual(doc.paths['/v1/things/pay'].post?.security, []);
    assert.deepEqual(doc.paths['/open'].get?.security, []);
    assert.deepEqual(doc.paths['/v1/things/{id}'].get?.security, [{ [BEARER_SCHEME]: [] }]);
    assert.equal(JSON.stringify(doc).includes('x-etsr-public'), false, 'the marker is not left in the document');
  });

  it('the bearer scheme says where a token comes from, and what service-only routes take', () => {
    const scheme = doc.components?.securitySchemes?.[BEARER_SCHEME] as { type: string; scheme: string; description: string };
    assert.equal(scheme.type, 'http');
    assert.equal(scheme.scheme, 'bearer');
    assert.match(scheme.description, /POST \/v1\/users\/login/);
    assert.match(scheme.description, /accessToken/);
    assert.match(scheme.description, /POST \/v1\/users\/refresh/);
    assert.match(scheme.description, /service credential/);
  });

  it('public operations do not list the guard\'s 401 and 403; the others do; every error answer is the one ErrorBody', () => {
    const pay = doc.paths['/v1/things/pay'].post!.responses;
    assert.equal(pay['401'], undefined);
    assert.equal(pay['403'], undefined);
    const get = doc.paths['/v1/things/{id}'].get!.responses;
    assert.ok(get['401'] && get['403']);
    for (const item of Object.values(doc.paths)) {
      for (const operation of [item.get, item.post]) {
        for (const [status, response] of Object.entries(operation?.responses ?? {})) {
          if (Number(status) < 400) continue;
          assert.deepEqual((response as { content: Record<string, { schema: unknown }> }).content['application/json'].schema, { $ref: '#/components/schemas/ErrorBody' }, status);
        }
      }
    }
    const conflict = pay['409'] as { content: Record<string, { examples?: Record<string, unknown> }> };
    assert.ok(conflict.content['application/json'].examples?.TAKEN, "the controller's example is kept");
  });

  it('ids are typed as the pipes accept them: IdParam an integer from 1, UuidParam a UUID', () => {
    assert.deepEqual(doc.paths['/v1/things/{id}'].get?.parameters, [{ name: 'id', in: 'path', required: true, schema: { type: 'integer', minimum: 1, maximum: MAX_ID } }]);
    assert.deepEqual(doc.paths['/v1/things/orders/{id}'].get?.parameters, [{ name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }]);
  });

  it('has a server (this service, relative) and a licence', () => {
    assert.deepEqual(doc.servers?.map(({ url, description }) => ({ url, description })), [{ url: '/', description: 'This service' }]);
    assert.equal(doc.info.license?.name, 'MIT');
    assert.equal(doc.info.version, '1.2.3');
  });
});
