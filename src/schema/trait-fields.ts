import { KRATOS_EXTENSION_KEY } from './kratos-extension';

/** A leaf trait as a form shows it (Kratos's `NewInputFieldFromSchema`). */
export interface TraitField {
  /** `traits.email`, `traits.name.first` */
  name: string;
  inputType: 'text' | 'email' | 'tel' | 'url' | 'number' | 'checkbox';
  required: boolean;
  title?: string;
  autocomplete?: string;
  pattern?: string;
  /** Marked as a password login identifier through the `ory.sh/kratos` extension. */
  passwordIdentifier: boolean;
}

type JsonSchema = Record<string, unknown>;

function inputTypeOf(schema: JsonSchema): Pick<TraitField, 'inputType' | 'autocomplete'> {
  switch (schema.format) {
    case 'email':
      return { inputType: 'email', autocomplete: 'email' };
    case 'tel':
      return { inputType: 'tel', autocomplete: 'tel' };
    case 'uri':
      return { inputType: 'url', autocomplete: 'url' };
  }
  if (schema.type === 'number' || schema.type === 'integer') return { inputType: 'number' };
  if (schema.type === 'boolean') return { inputType: 'checkbox' };
  return { inputType: 'text' };
}

/** The leaf fields under `properties.traits`, in schema order (objects are walked; arrays are not form fields). */
export function traitFields(schema: JsonSchema): TraitField[] {
  const out: TraitField[] = [];
  const walk = (node: JsonSchema, prefix: string) => {
    const properties = (node.properties ?? {}) as Record<string, JsonSchema>;
    const required = new Set(Array.isArray(node.required) ? (node.required as string[]) : []);
    for (const [key, child] of Object.entries(properties)) {
      const name = `${prefix}.${key}`;
      if (child.type === 'object' || child.properties) {
        walk(child, name);
        continue;
      }
      if (child.type === 'array') continue;
      const extension = child[KRATOS_EXTENSION_KEY] as { credentials?: { password?: { identifier?: boolean } } } | undefined;
      out.push({
        name,
        ...inputTypeOf(child),
        required: required.has(key),
        ...(typeof child.title === 'string' ? { title: child.title } : {}),
        ...(typeof child.pattern === 'string' ? { pattern: child.pattern } : {}),
        passwordIdentifier: extension?.credentials?.password?.identifier === true,
      });
    }
  };
  const traits = ((schema.properties ?? {}) as Record<string, JsonSchema>).traits;
  if (traits) walk(traits, 'traits');
  return out;
}
