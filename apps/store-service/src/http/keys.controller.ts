import { Caller, ListKeys, RequestMeta, RotateKey, ShredKeys } from '@app/store';
import { Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblems, ApiWrite } from './openapi';
import { AuthCaller, Meta } from './request-meta.decorator';
import { KeyListDto, KeyRotationDto, KeysShreddedDto } from './keys.dto';

/** The data keys of an encrypted namespace: ids and dates only, never their material. */
@ApiTags('namespaces')
@Controller('v1/namespaces')
export class KeysController {
  constructor(private readonly commands: CommandBus, private readonly queries: QueryBus) {}

  @Post(':ns/keys/rotate')
  @HttpCode(200)
  @ApiOperation({ summary: 'RotateKey: a new data key seals values from now on; older values stay readable with their own keys (StoreKeyRotated)' })
  @ApiOkResponse({ type: KeyRotationDto })
  @ApiWrite('NAMESPACE_INVALID', 'NAMESPACE_NOT_FOUND', 'NAMESPACE_NOT_ENCRYPTED', 'KEY_UNAVAILABLE')
  rotate(@Param('ns') ns: string, @Meta() meta: RequestMeta) {
    return this.commands.execute(new RotateKey(ns, meta));
  }

  @Get(':ns/keys')
  @ApiOperation({ summary: 'The data keys of an encrypted namespace, oldest first: ids and dates, never material' })
  @ApiOkResponse({ type: KeyListDto })
  @ApiProblems('NAMESPACE_INVALID', 'NAMESPACE_NOT_FOUND', 'NAMESPACE_NOT_ENCRYPTED', 'KEY_UNAVAILABLE')
  list(@Param('ns') ns: string, @AuthCaller() caller: Caller | undefined) {
    return this.queries.execute(new ListKeys(ns, caller));
  }

  @Post(':ns/shred')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Shred: destroys the namespace\'s data keys (StoreKeysShredded); its values answer 410 VALUE_SHREDDED for good, '
      + 'its events, keys and metadata names stay. New writes get a new data key',
  })
  @ApiOkResponse({ type: KeysShreddedDto })
  @ApiWrite('NAMESPACE_INVALID', 'NAMESPACE_NOT_FOUND', 'NAMESPACE_NOT_ENCRYPTED', 'KEY_UNAVAILABLE')
  shred(@Param('ns') ns: string, @Meta() meta: RequestMeta) {
    return this.commands.execute(new ShredKeys(ns, meta));
  }
}
