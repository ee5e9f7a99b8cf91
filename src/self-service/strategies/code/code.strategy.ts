import { Injectable } from '@nestjs/common';
import { addNodeMessage, csrfNode, inputNode, submitNode, UiNode } from '../../ui/ui-node';
import { Text } from '../../ui/ui-text';
import type { RecoveryStrategy, StrategyContext } from '../strategy';

/** Recovery by a one-time code (admin-created), redeemed by POSTing the recovery flow (native apps). */
@Injectable()
export class CodeStrategy implements RecoveryStrategy {
  readonly method = 'code';
  readonly flows = ['recovery'] as const;
  readonly tokenKind = 'code';
  readonly sessionMethod = 'code_recovery';
  readonly redeemedBySubmission = true;

  initialFlow(): { state: string; context: Record<string, unknown> } {
    return { state: 'sent_email', context: { method: this.method, messages: [Text.recoveryCodeSent()] } };
  }

  recoveryNodes(): UiNode[] {
    return [
      csrfNode(),
      inputNode(
        'code',
        { name: 'code', type: 'text', required: true, pattern: '[0-9]+', maxlength: 6, autocomplete: 'one-time-code' },
        Text.labelRecoveryCode(),
      ),
      submitNode('code', 'code', Text.labelContinue()),
    ];
  }

  async secretOf(ctx: StrategyContext, body: Record<string, unknown>): Promise<string> {
    const code = typeof body.code === 'string' ? body.code.trim() : '';
    if (!code) throw await ctx.fail((ui) => addNodeMessage(ui.nodes, 'code', Text.missingProperty('code')));
    return code;
  }
}
