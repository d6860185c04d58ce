export {
  type FoundResource,
  GLOBAL_REGION,
  RESOURCE_TYPES,
  type ResourceType,
} from "../aws/found-resource.js";
export { type ProjectIdentity, projectBase } from "../config/naming.js";
