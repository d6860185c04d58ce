export {
  DeleteAliasCommand,
  DescribeKeyCommand,
  KMSClient,
  ListResourceTagsCommand,
  paginateListAliases,
  paginateListKeys,
  ScheduleKeyDeletionCommand,
} from "@aws-sdk/client-kms";
