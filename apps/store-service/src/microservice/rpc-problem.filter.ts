import { ArgumentsHost, Catch, Logger } from '@nestjs/common';
import { BaseRpcExceptionFilter, RpcException } from '@nestjs/microservices';
import { Observable } from 'rxjs';
import { toProblem } from '../http/problem';

/** Anything a message handler throws, as an RpcException carrying the problem document (code, status, detail). */
@Catch()
export class RpcProblemFilter extends BaseRpcExceptionFilter {
  private readonly logger = new Logger('microservice');

  override catch(error: unknown, host: ArgumentsHost): Observable<unknown> {
    const problem = toProblem(error);
    if (problem.status >= 500) this.logger.error({ err: error, code: problem.code }, 'message failed');
    return super.catch(new RpcException(problem), host);
  }
}
