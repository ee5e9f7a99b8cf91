/**
 * The public face of self-service: what other modules (recovery) may use of its flow machinery. Import from here,
 * not from internal paths.
 */
export { SelfServiceModule } from './self-service.module';
export { deviceOf, FlowService } from './flows/flow.service';
export type { NewFlow } from './flows/flow.service';
export type { Flow, FlowKind, FlowType } from './flows/flow.model';
export { SettingsService } from './settings/settings.service';
export { StrategyRegistry } from './strategies/strategy.registry';
export type { RecoveryStrategy, SelfServiceStrategy, StrategyContext, StrategyFor } from './strategies/strategy';
export { addNodeMessage, csrfNode, inputNode, setNodeValue, submitNode } from './ui/ui-node';
export type { UiContainer, UiNode } from './ui/ui-node';
export { Text } from './ui/ui-text';
export type { UiText } from './ui/ui-text';
export { RecoveryFlowDoc, UpdateRecoveryFlowWithCodeMethodDoc } from './self-service.docs';
