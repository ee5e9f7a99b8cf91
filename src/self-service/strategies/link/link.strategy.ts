import { Injectable } from '@nestjs/common';
import { csrfNode, UiNode } from '../../ui/ui-node';
import type { RecoveryStrategy, StrategyContext } from '../strategy';

/** Recovery by a link (admin-created) that a browser opens: GET with the token, never a POSTed submission. */
@Injectable()
export class LinkStrategy implements RecoveryStrategy {
  readonly method = 'link';
  readonly flows = ['recovery'] as const;
  readonly tokenKind = 'link';
  readonly sessionMethod = 'link_recovery';
  readonly redeemedBySubmission = false;

  initialFlow(): { state: string; context: Record<string, unknown> } {
    return { state: 'choose_method', context: { method: this.method } };
  }

  recoveryNodes(): UiNode[] {
    return [csrfNode()];
  }

  /** A link's token comes with the GET request, not in a submission. */
  secretOf(_ctx: StrategyContext, body: Record<string, unknown>): Promise<string> {
    return Promise.resolve(typeof body.token === 'string' ? body.token : '');
  }
}
