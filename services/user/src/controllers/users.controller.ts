import { Body, Controller, Delete, Get, HttpCode, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiConflictResponse, ApiForbiddenResponse, ApiNoContentResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentUser, IdParam, Roles, UserPrincipal } from '@etsr/platform';
import { ListUsersQuery, SearchUsersQuery, UpdateUserDto, UserPageDto, UserResponseDto } from '../dtos/user.dto';
import { UsersService } from '../services/users.service';

@ApiTags('users')
@ApiBearerAuth()
@Controller('v1/users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Get('me')
  @ApiOperation({ summary: 'The caller\'s own profile' })
  @ApiOkResponse({ type: UserResponseDto })
  me(@CurrentUser() actor: UserPrincipal): Promise<UserResponseDto> {
    return this.users.get(actor, actor.userId);
  }

  @Get()
  @Roles('ADMIN')
  @ApiOperation({ summary: 'List users (admin), paginated' })
  @ApiOkResponse({ type: UserPageDto })
  list(@Query() query: ListUsersQuery): Promise<UserPageDto> {
    return this.users.list(query);
  }

  @Get('search')
  @Roles('ADMIN')
  @ApiOperation({ summary: 'Search users by name or e-mail (admin)' })
  @ApiOkResponse({ type: UserPageDto })
  search(@Query() query: SearchUsersQuery): Promise<UserPageDto> {
    return this.users.search(query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'A user profile (own, or any for an admin)' })
  @ApiOkResponse({ type: UserResponseDto })
  @ApiForbiddenResponse({ description: 'Another user\'s profile' })
  @ApiNotFoundResponse()
  get(@CurrentUser() actor: UserPrincipal, @IdParam() id: number): Promise<UserResponseDto> {
    return this.users.get(actor, id);
  }

  @Put(':id')
  @ApiOperation({
    summary: 'Update a profile; a password change needs currentPassword (not for an admin changing another user\'s)',
    description: "A password change ends the user's sessions: refresh tokens at once, access tokens issued before it within seconds in every service (401 TOKEN_REVOKED).",
  })
  @ApiOkResponse({ type: UserResponseDto })
  @ApiConflictResponse({ description: 'EMAIL_TAKEN' })
  update(@CurrentUser() actor: UserPrincipal, @IdParam() id: number, @Body() dto: UpdateUserDto): Promise<UserResponseDto> {
    return this.users.update(actor, id, dto);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete an account (own, or any for an admin); its access tokens are refused within seconds' })
  @ApiNoContentResponse()
  delete(@CurrentUser() actor: UserPrincipal, @IdParam() id: number): Promise<void> {
    return this.users.delete(actor, id);
  }

  @Put(':id/activate')
  @Roles('ADMIN')
  @ApiOperation({ summary: 'Set the account ACTIVE (admin)' })
  @ApiOkResponse({ type: UserResponseDto })
  @ApiConflictResponse({ description: 'OWN_ACCOUNT: an administrator\'s own account' })
  activate(@CurrentUser() actor: UserPrincipal, @IdParam() id: number): Promise<UserResponseDto> {
    return this.users.setStatus(actor, id, 'ACTIVE');
  }

  @Put(':id/deactivate')
  @Roles('ADMIN')
  @ApiOperation({ summary: 'Set the account INACTIVE and end its sessions (admin); its access tokens are refused within seconds' })
  @ApiOkResponse({ type: UserResponseDto })
  @ApiConflictResponse({ description: 'OWN_ACCOUNT: an administrator\'s own account' })
  deactivate(@CurrentUser() actor: UserPrincipal, @IdParam() id: number): Promise<UserResponseDto> {
    return this.users.setStatus(actor, id, 'INACTIVE');
  }

  @Put(':id/block')
  @Roles('ADMIN')
  @ApiOperation({ summary: 'Block the account and end its sessions (admin); its access tokens are refused within seconds' })
  @ApiOkResponse({ type: UserResponseDto })
  @ApiConflictResponse({ description: 'OWN_ACCOUNT: an administrator\'s own account' })
  block(@CurrentUser() actor: UserPrincipal, @IdParam() id: number): Promise<UserResponseDto> {
    return this.users.setStatus(actor, id, 'BLOCKED');
  }
}
