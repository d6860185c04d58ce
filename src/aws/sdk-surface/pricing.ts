export {
  GetProductsCommand,
  PricingClient,
} from "@aws-sdk/client-pricing";
