import { Injectable } from '@nestjs/common';
import type { FlowKind } from '../flows/flow.model';
import { CodeStrategy } from './code/code.strategy';
import { LinkStrategy } from './link/link.strategy';
import { PasswordStrategy } from './password/password.strategy';
import type { SelfServiceStrategy, StrategyFor } from './strategy';

/** The strategies of each flow kind, by method: where a flow kind finds what to do with a submitted `method`. */
@Injectable()
export class StrategyRegistry {
  private readonly byFlow = new Map<FlowKind, Map<string, SelfServiceStrategy>>();

  constructor(password: PasswordStrategy, code: CodeStrategy, link: LinkStrategy) {
    for (const strategy of [password, code, link] as SelfServiceStrategy[]) {
      for (const kind of strategy.flows) {
        const methods = this.byFlow.get(kind) ?? new Map<string, SelfServiceStrategy>();
        methods.set(strategy.method, strategy);
        this.byFlow.set(kind, methods);
      }
    }
  }

  /** The strategy of `kind` for a submitted `method` (any JSON value), or undefined when there is none. */
  forFlow<K extends FlowKind>(kind: K, method: unknown): StrategyFor[K] | undefined {
    if (typeof method !== 'string') return undefined;
    return this.byFlow.get(kind)?.get(method) as StrategyFor[K] | undefined;
  }

  /** Every strategy of `kind`, in registration order (their UI nodes follow this order). */
  all<K extends FlowKind>(kind: K): Array<StrategyFor[K]> {
    return [...(this.byFlow.get(kind)?.values() ?? [])] as Array<StrategyFor[K]>;
  }
}
