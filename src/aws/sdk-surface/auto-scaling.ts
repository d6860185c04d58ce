export {
  AutoScalingClient,
  paginateDescribeAutoScalingGroups,
} from "@aws-sdk/client-auto-scaling";
