import {
  Caller, AcquireLock, GetLock, invalid, namespaceLock, ReleaseLock, RenewLock, RequestMeta, validateLockName, validateNamespace,
} from '@app/store';
import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { AcquireLockDto, LockDto, LockGrantDto, RenewLockDto } from './locks.dto';
import { ApiLockWrite, ApiProblems, PROBLEMS } from './openapi';
import { QueryParam, single } from './query-params';
import { ApiMinPosition, AuthCaller, Meta, MinPosition } from './request-meta.decorator';

/** `?token=` of a release: the token as the acquisition answered it. */
function tokenParam(value: unknown): number {
  const text = single(value);
  if (text === undefined || !/^[1-9]\d{0,15}$/.test(text) || !Number.isSafeInteger(Number(text))) {
    throw invalid('token is the whole number the acquisition answered', { field: 'token' });
  }
  return Number(text);
}

const TOKEN_QUERY = { name: 'token', required: true, type: 'integer', description: 'The token the acquisition answered' } as const;
const LOCK_ERRORS = ['LOCK_TOKEN_INVALID'] as const;

/** Named leases with fencing tokens. */
@ApiTags('locks')
@Controller('v1/locks')
export class LocksController {
  constructor(private readonly commands: CommandBus, private readonly queries: QueryBus) {}

  @Post(':name')
  @ApiOperation({ summary: 'AcquireLock: {owner, ttlSeconds} → the lease and its fencing token; 409 LOCK_HELD while another holds it' })
  @ApiCreatedResponse({ type: LockGrantDto, description: 'Acquired' })
  @ApiLockWrite(...PROBLEMS.jsonBody, 'LOCK_HELD')
  acquire(@Param('name') name: string, @Body() body: AcquireLockDto, @Meta() meta: RequestMeta) {
    return this.commands.execute(new AcquireLock(validateLockName(name), body.owner, body.ttlSeconds, meta));
  }

  @Put(':name')
  @ApiOperation({ summary: 'RenewLock: {token, ttlSeconds}: the lease runs ttlSeconds from now; 409 LOCK_TOKEN_INVALID once lost' })
  @ApiOkResponse({ type: LockGrantDto, description: 'Renewed' })
  @ApiLockWrite(...PROBLEMS.jsonBody, ...LOCK_ERRORS)
  renew(@Param('name') name: string, @Body() body: RenewLockDto, @Meta() meta: RequestMeta) {
    return this.commands.execute(new RenewLock(validateLockName(name), body.token, body.ttlSeconds, meta));
  }

  @Delete(':name')
  @HttpCode(204)
  @ApiOperation({ summary: 'ReleaseLock ?token=; 409 LOCK_TOKEN_INVALID when that token does not hold it' })
  @ApiQuery(TOKEN_QUERY)
  @ApiNoContentResponse({ description: 'Released' })
  @ApiLockWrite(...LOCK_ERRORS)
  async release(@Param('name') name: string, @QueryParam('token') token: unknown, @Meta() meta: RequestMeta): Promise<void> {
    await this.commands.execute(new ReleaseLock(validateLockName(name), tokenParam(token), meta));
  }

  @Get(':name')
  @ApiOperation({ summary: 'GetLock: held or not, the holder, its token and expiry' })
  @ApiMinPosition()
  @ApiOkResponse({ type: LockDto })
  @ApiProblems(...PROBLEMS.readYourWrites)
  get(@Param('name') name: string, @AuthCaller() caller: Caller | undefined, @MinPosition() minPosition?: string) {
    return this.queries.execute(new GetLock(validateLockName(name), minPosition, caller));
  }
}

/** A namespace's freeze: a lock whose holder alone (X-Lock-Token) may write to the namespace. */
@ApiTags('locks')
@Controller('v1/namespaces')
export class NamespaceLockController {
  constructor(private readonly commands: CommandBus, private readonly queries: QueryBus) {}

  @Post(':ns/lock')
  @ApiOperation({ summary: 'FreezeNamespace: like AcquireLock; while held, a write without X-Lock-Token: <token> is 423 LOCKED' })
  @ApiCreatedResponse({ type: LockGrantDto, description: 'Frozen' })
  @ApiLockWrite(...PROBLEMS.jsonBody, 'NAMESPACE_INVALID', 'NAMESPACE_NOT_FOUND', 'LOCK_HELD')
  freeze(@Param('ns') ns: string, @Body() body: AcquireLockDto, @Meta() meta: RequestMeta) {
    return this.commands.execute(new AcquireLock(namespaceLock(validateNamespace(ns)), body.owner, body.ttlSeconds, meta, ns));
  }

  @Put(':ns/lock')
  @ApiOperation({ summary: 'Renew the freeze: {token, ttlSeconds}' })
  @ApiOkResponse({ type: LockGrantDto, description: 'Renewed' })
  @ApiLockWrite(...PROBLEMS.jsonBody, 'NAMESPACE_INVALID', ...LOCK_ERRORS)
  renew(@Param('ns') ns: string, @Body() body: RenewLockDto, @Meta() meta: RequestMeta) {
    return this.commands.execute(new RenewLock(namespaceLock(validateNamespace(ns)), body.token, body.ttlSeconds, meta));
  }

  @Delete(':ns/lock')
  @HttpCode(204)
  @ApiOperation({ summary: 'Unfreeze ?token=' })
  @ApiQuery(TOKEN_QUERY)
  @ApiNoContentResponse({ description: 'Released' })
  @ApiLockWrite('NAMESPACE_INVALID', ...LOCK_ERRORS)
  async release(@Param('ns') ns: string, @QueryParam('token') token: unknown, @Meta() meta: RequestMeta): Promise<void> {
    await this.commands.execute(new ReleaseLock(namespaceLock(validateNamespace(ns)), tokenParam(token), meta));
  }

  @Get(':ns/lock')
  @ApiOperation({ summary: 'The freeze of a namespace: held or not' })
  @ApiMinPosition()
  @ApiOkResponse({ type: LockDto })
  @ApiProblems(...PROBLEMS.readYourWrites, 'NAMESPACE_INVALID')
  get(@Param('ns') ns: string, @AuthCaller() caller: Caller | undefined, @MinPosition() minPosition?: string) {
    return this.queries.execute(new GetLock(namespaceLock(validateNamespace(ns)), minPosition, caller));
  }
}
