import type { UiText } from './ui-text';

/** Kratos's UI nodes (ui/node): what a form renders, with per-field messages. */
export interface UiNodeAttributes {
  name: string;
  type: string;
  value?: unknown;
  required?: boolean;
  disabled: boolean;
  node_type: 'input';
  autocomplete?: string;
  pattern?: string;
  maxlength?: number;
}

export interface UiNode {
  type: 'input';
  group: string;
  attributes: UiNodeAttributes;
  messages: UiText[];
  meta: { label?: UiText };
}

export interface UiContainer {
  action: string;
  method: 'POST';
  nodes: UiNode[];
  messages?: UiText[];
}

export function inputNode(group: string, attributes: Omit<UiNodeAttributes, 'disabled' | 'node_type'>, label?: UiText): UiNode {
  const { name, type, ...rest } = attributes;
  return {
    type: 'input',
    group,
    attributes: { name, type, ...rest, disabled: false, node_type: 'input' },
    messages: [],
    meta: label ? { label } : {},
  };
}

/** For API flows the CSRF node is present with an empty value: native apps need no CSRF token. */
export function csrfNode(): UiNode {
  return inputNode('default', { name: 'csrf_token', type: 'hidden', value: '', required: true });
}

export function submitNode(group: string, value: string, label: UiText): UiNode {
  return inputNode(group, { name: 'method', type: 'submit', value }, label);
}

/** Attaches a message to the node named `name` (or returns false when there is no such node). */
export function addNodeMessage(nodes: UiNode[], name: string, message: UiText): boolean {
  const node = nodes.find((n) => n.attributes.name === name);
  if (!node) return false;
  node.messages.push(message);
  return true;
}

export function setNodeValue(nodes: UiNode[], name: string, value: unknown): void {
  const node = nodes.find((n) => n.attributes.name === name);
  if (node && value !== undefined) node.attributes = { ...node.attributes, value };
}
