import { Controller, Get, Header } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Public } from '../../infra/http/access';
import { CredentialsService } from './credentials.service';

/**
 * The issuer's public documents, for anyone verifying a credential: no sign-in, stable URLs
 * (credentials in people's wallets point at them), cacheable for a few minutes.
 */
@ApiTags('credentials')
@Controller()
@Public()
export class CredentialsApiController {
  constructor(private readonly credentials: CredentialsService) {}

  @Get('.well-known/did.json')
  @Header('Cache-Control', 'public, max-age=300')
  @ApiOperation({ summary: "The issuer's did:web DID document: its Ed25519 public key(s) as Multikey, authorised for assertions" })
  didDocument() {
    return this.credentials.didDocument();
  }

  /** did:web puts the document of a PUBLIC_BASE_URL with a path at <path>/did.json (behind a proxy that strips the path). */
  @Get('did.json')
  @Header('Cache-Control', 'public, max-age=300')
  @ApiOperation({ summary: 'The same DID document, where did:web looks for it when PUBLIC_BASE_URL has a path' })
  didDocumentUnderPath() {
    return this.credentials.didDocument();
  }

  @Get('api/v1/credentials/issuer')
  @Header('Cache-Control', 'public, max-age=300')
  @ApiOperation({ summary: 'The Open Badges 3.0 issuer Profile; its id is the DID whose document holds the public key' })
  issuerProfile() {
    return this.credentials.issuerProfile();
  }

  @Get('api/v1/credentials/achievements/new-product-planner')
  @Header('Cache-Control', 'public, max-age=300')
  @ApiOperation({ summary: 'The Open Badges 3.0 Achievement every certificate credential awards' })
  achievement() {
    return this.credentials.achievement();
  }
}
