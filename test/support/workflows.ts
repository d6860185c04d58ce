import {
  convertWorkflowTemplate,
  NoOperationTraceWriter,
  parseWorkflow,
  type WorkflowTemplate,
} from "@actions/workflow-parser";

export interface WorkflowCheck {
  /** Schema and expression errors GitHub's own parser reports; empty when the workflow is valid. */
  errors: string[];
  template: WorkflowTemplate | undefined;
}

/** Validates a workflow with @actions/workflow-parser, the parser GitHub's tooling uses. */
export async function validateWorkflow(name: string, content: string): Promise<WorkflowCheck> {
  const parsed = parseWorkflow({ name, content }, new NoOperationTraceWriter());
  const errors = parsed.context.errors.getErrors().map((e) => e.message);
  if (!parsed.value) return { errors, template: undefined };
  const template = await convertWorkflowTemplate(parsed.context, parsed.value);
  for (const e of template.errors ?? []) if (!errors.includes(e.Message)) errors.push(e.Message);
  return { errors, template };
}
