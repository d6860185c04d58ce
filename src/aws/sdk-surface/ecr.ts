export {
  BatchDeleteImageCommand,
  DeleteRepositoryCommand,
  DescribeImagesCommand,
  DescribeRepositoriesCommand,
  ECRClient,
  GetAuthorizationTokenCommand,
  ListImagesCommand,
  ListTagsForResourceCommand,
  paginateDescribeRepositories,
} from "@aws-sdk/client-ecr";
