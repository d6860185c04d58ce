export {
  DeleteLoadBalancerCommand,
  DescribeTagsCommand,
  ElasticLoadBalancingClient,
  paginateDescribeLoadBalancers,
} from "@aws-sdk/client-elastic-load-balancing";
